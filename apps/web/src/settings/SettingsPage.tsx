import { useDocumentTitle } from '../lib/useDocumentTitle';
import { PageHeader } from '../components/ui';
import { AccountSection } from './AccountSection';
import { ScheduleSection } from './ScheduleSection';

/** Working hours (what the agent offers) and the account: password, sign out everywhere. */
export default function SettingsPage() {
  useDocumentTitle('Settings');
  return (
    <div className="page">
      <PageHeader title="Settings" subtitle="When you take appointments, and your account" />
      <ScheduleSection />
      <AccountSection />
    </div>
  );
}
