// A modal confirmation for operator actions that end calls (native <dialog>: focus is trapped,
// Escape cancels, the safe choice has the initial focus).
import { useEffect, useId, useRef } from "react";

export interface ConfirmRequest {
  title: string;
  body: string;
  confirmLabel: string;
  onConfirm(): void;
}

export function ConfirmDialog({ request, onClose }: { request: ConfirmRequest | null; onClose(): void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const bodyId = useId();
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (request && !d.open) d.showModal();
    if (!request && d.open) d.close();
  }, [request]);
  return (
    <dialog ref={ref} className="confirm" aria-labelledby={titleId} aria-describedby={bodyId} onClose={onClose}>
      {request && (
        <>
          <h2 id={titleId}>{request.title}</h2>
          <p id={bodyId}>{request.body}</p>
          <div className="actions">
            <button type="button" autoFocus onClick={onClose}>
              Cancel
            </button>
            <button
              type="button"
              className="danger"
              onClick={() => {
                const go = request.onConfirm;
                onClose();
                go();
              }}
            >
              {request.confirmLabel}
            </button>
          </div>
        </>
      )}
    </dialog>
  );
}
