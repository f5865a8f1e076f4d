import { useDocumentTitle } from '../lib/useDocumentTitle';
import { PageHeader } from '../components/ui';
import { AccountSection } from './AccountSection';
import { ApiKeysSection } from './ApiKeysSection';
import { ScheduleSection } from './ScheduleSection';

/** Working hours (what the agent offers), the account (password, sign out everywhere) and the agent's API keys. */
export default function SettingsPage() {
  useDocumentTitle('Settings');
  return (
    <div className="page">
      <PageHeader title="Settings" subtitle="When you take appointments, and your account" />
      <ScheduleSection />
      <AccountSection />
      <ApiKeysSection />
    </div>
  );
}
