import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';

/** A button in the toast, e.g. "Undo"; the toast closes when it is pressed. */
interface ToastAction {
  label: string;
  run: () => void;
}

interface Toast {
  id: number;
  text: string;
  action?: ToastAction | undefined;
}

type Show = (text: string, action?: ToastAction) => void;
const ToastContext = createContext<Show>(() => {});

/** Short confirmations ("Client added") in a polite live region, gone after a few seconds. */
export function Toaster({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const next = useRef(1);
  const timers = useRef(new Set<ReturnType<typeof setTimeout>>());

  const show = useCallback<Show>((text, action) => {
    const id = next.current++;
    setToasts((list) => [...list.slice(-1), { id, text, action }]);
    // A toast with an action (undo) stays long enough to reach it with the keyboard.
    const timer = setTimeout(() => {
      timers.current.delete(timer);
      setToasts((list) => list.filter((t) => t.id !== id));
    }, action ? 10_000 : 3500);
    timers.current.add(timer);
  }, []);

  useEffect(() => {
    const pending = timers.current;
    return () => {
      for (const timer of pending) clearTimeout(timer);
    };
  }, []);

  const value = useMemo(() => show, [show]);
  return (
    <ToastContext.Provider value={value}>
      {children}
      <div className="toasts" role="status" aria-live="polite">
        {toasts.map((toast) => (
          <div key={toast.id} className="toast">
            {toast.text}
            {toast.action ? (
              <button
                type="button"
                className="toast__action"
                onClick={() => {
                  setToasts((list) => list.filter((t) => t.id !== toast.id));
                  toast.action?.run();
                }}
              >
                {toast.action.label}
              </button>
            ) : null}
          </div>
        ))}
      </div>
    </ToastContext.Provider>
  );
}

export function useToast(): Show {
  return useContext(ToastContext);
}
