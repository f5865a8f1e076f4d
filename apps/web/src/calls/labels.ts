import type { CallOutcome } from '@agentcaller/sdk';

/** How each outcome reads in the app. */
export const OUTCOME_LABELS: Record<CallOutcome, string> = {
  booked: 'Booked',
  no_answer: 'No answer',
  voicemail: 'Voicemail',
  call_back: 'Call back',
  declined: 'Declined',
  wrong_number: 'Wrong number',
};

/** "1 min 35 s", "40 s". */
export function formatCallLength(seconds: number): string {
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  if (minutes === 0) return `${rest} s`;
  return rest === 0 ? `${minutes} min` : `${minutes} min ${rest} s`;
}
