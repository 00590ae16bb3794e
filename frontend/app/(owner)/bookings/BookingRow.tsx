"use client";

import { useState } from "react";

import { StatusBadge } from "@/components/Status";
import { useTenant } from "@/components/TenantContext";
import { api, errorMessage } from "@/lib/client/api";
import { formatTime } from "@/lib/time";
import type { Booking } from "@/lib/types";

const CANCELLABLE = new Set(["pending", "confirmed"]);

export function BookingRow({ booking: initial, highlighted }: { booking: Booking; highlighted: boolean }) {
  const { timezone } = useTenant();
  const [booking, setBooking] = useState(initial);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function act(action: "cancel" | "confirm") {
    setBusy(true);
    setError(null);
    try {
      setBooking(await api.post<Booking>(`bookings/bookings/${booking.id}/${action}/`));
      setConfirming(false);
    } catch (reason) {
      setError(errorMessage(reason));
    }
    setBusy(false);
  }

  return (
    <tr
      data-testid="booking-row"
      data-booking-id={booking.id}
      className={highlighted ? "table__row--new" : undefined}
    >
      <td className="nowrap">
        {formatTime(booking.starts_at, timezone)}–{formatTime(booking.ends_at, timezone)}
      </td>
      <td data-testid="booking-client">{booking.client_name}</td>
      <td data-testid="booking-service">{booking.service_name}</td>
      <td data-testid="booking-staff">{booking.staff_name}</td>
      <td>£{booking.price}</td>
      <td>
        <StatusBadge status={booking.status} />
        {booking.source === "online" ? <span className="muted small"> online</span> : null}
      </td>
      <td className="nowrap">
        {booking.status === "pending" && !confirming ? (
          <button
            type="button"
            className="button"
            onClick={() => act("confirm")}
            disabled={busy}
            data-testid="booking-confirm"
          >
            Confirm
          </button>
        ) : null}{" "}
        {CANCELLABLE.has(booking.status) && !confirming ? (
          <button
            type="button"
            className="button button--quiet"
            onClick={() => setConfirming(true)}
            data-testid="booking-cancel"
          >
            Cancel…
          </button>
        ) : null}
        {confirming && CANCELLABLE.has(booking.status) ? (
          <span className="confirm">
            <button
              type="button"
              className="button button--danger"
              onClick={() => act("cancel")}
              disabled={busy}
              data-testid="booking-cancel-confirm"
            >
              {busy ? "Cancelling…" : "Yes, cancel"}
            </button>
            <button type="button" className="button button--quiet" onClick={() => setConfirming(false)} disabled={busy}>
              Keep
            </button>
          </span>
        ) : null}
        {error ? (
          <span className="alert alert--error small" role="alert" data-testid="booking-cancel-error">
            {error}
          </span>
        ) : null}
      </td>
    </tr>
  );
}
