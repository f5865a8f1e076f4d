import { createRoot } from 'react-dom/client';
import { createApi } from './api';
import { App } from './app/App';
import { createQueryClient } from './app/queryClient';
import './styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(<App api={createApi()} queryClient={createQueryClient()} />);
