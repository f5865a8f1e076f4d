import type { ReactNode } from 'react';
import { Modal } from './Modal';
import { Alert } from './ui';

interface ConfirmDialogProps {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
  busy?: boolean;
  error?: string | null;
}

/** "Are you sure?" for what cannot be undone. The safe choice has the focus. */
export function ConfirmDialog({ title, children, confirmLabel, onConfirm, onCancel, busy = false, error }: ConfirmDialogProps) {
  return (
    <Modal title={title} onClose={onCancel} size="small" role="alertdialog" description={children}>
      {error ? <Alert>{error}</Alert> : null}
      <div className="form-actions">
        <button type="button" className="button" onClick={onCancel} data-autofocus>
          Keep it
        </button>
        <button type="button" className="button button--danger" onClick={onConfirm} disabled={busy} aria-busy={busy}>
          {busy ? 'Working…' : confirmLabel}
        </button>
      </div>
    </Modal>
  );
}
