import { useEffect } from 'react';

/** "Clients · AgentCaller": the tab and what a screen reader announces on arriving at a page. */
export function useDocumentTitle(title: string | null): void {
  useEffect(() => {
    document.title = title ? `${title} · AgentCaller` : 'AgentCaller';
  }, [title]);
}
