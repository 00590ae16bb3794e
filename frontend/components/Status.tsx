import type { BookingStatus } from "@/lib/types";

const LABELS: Record<BookingStatus, string> = {
  pending: "Pending",
  confirmed: "Confirmed",
  completed: "Completed",
  cancelled: "Cancelled",
  no_show: "No-show",
};

export function StatusBadge({ status }: { status: BookingStatus }) {
  return (
    <span className={`badge badge--${status}`} data-testid="booking-status" data-status={status}>
      {LABELS[status] ?? status}
    </span>
  );
}

export function Loading({ label = "Loading…" }: { label?: string }) {
  return (
    <p className="muted" role="status">
      {label}
    </p>
  );
}

export function ErrorNote({ message, testId }: { message: string; testId?: string }) {
  return (
    <p className="alert alert--error" role="alert" data-testid={testId}>
      {message}
    </p>
  );
}
