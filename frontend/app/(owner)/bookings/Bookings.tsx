"use client";

import { useState } from "react";

import { ErrorNote, Loading } from "@/components/Status";
import { useTenant } from "@/components/TenantContext";
import { useApi } from "@/lib/client/useApi";
import { addDays, dayRange, formatIsoDate, isoDateIn, todayIn } from "@/lib/time";
import type { Booking, BookingStatus, Page } from "@/lib/types";

import { BookingForm } from "./BookingForm";
import { BookingRow } from "./BookingRow";

const STATUSES: { value: BookingStatus | ""; label: string }[] = [
  { value: "", label: "Any status" },
  { value: "pending", label: "Pending" },
  { value: "confirmed", label: "Confirmed" },
  { value: "completed", label: "Completed" },
  { value: "cancelled", label: "Cancelled" },
  { value: "no_show", label: "No-show" },
];

export function Bookings({ initialDate }: { initialDate: string | undefined }) {
  const { timezone } = useTenant();
  const [date, setDate] = useState(() => initialDate ?? todayIn(timezone));
  const [status, setStatus] = useState<BookingStatus | "">("");
  const [search, setSearch] = useState("");
  const [created, setCreated] = useState<Booking | null>(null);
  const range = dayRange(date, timezone);
  const list = useApi<Page<Booking>>("bookings/bookings/", {
    starts_after: range.start,
    starts_before: range.end,
    status,
    search: search.trim(),
    ordering: "starts_at",
    page_size: 100,
  });

  function showDay(day: string) {
    setDate(day);
    // Keep the day in the address, so a reload or a shared link shows the same list.
    window.history.replaceState(null, "", `/bookings?date=${day}`);
  }

  function onCreated(booking: Booking) {
    setCreated(booking);
    const day = isoDateIn(new Date(booking.starts_at), timezone);
    if (day === date) list.reload();
    else showDay(day);
  }

  return (
    <div className="stack">
      <section className="card">
        <div className="toolbar">
          <h1>Bookings</h1>
          <div className="toolbar__controls">
            <button type="button" className="button button--quiet" onClick={() => showDay(addDays(date, -1))}>
              ← Previous day
            </button>
            <input
              type="date"
              value={date}
              onChange={(event) => event.target.value && showDay(event.target.value)}
              aria-label="Day"
              data-testid="bookings-date"
            />
            <button type="button" className="button button--quiet" onClick={() => showDay(addDays(date, 1))}>
              Next day →
            </button>
            <select
              value={status}
              onChange={(event) => setStatus(event.target.value as BookingStatus | "")}
              aria-label="Status"
              data-testid="bookings-status-filter"
            >
              {STATUSES.map((option) => (
                <option key={option.value} value={option.value}>
                  {option.label}
                </option>
              ))}
            </select>
            <input
              type="search"
              placeholder="Client, service, staff…"
              value={search}
              onChange={(event) => setSearch(event.target.value)}
              aria-label="Search"
              data-testid="bookings-search"
            />
          </div>
        </div>
        <h2 className="muted">{formatIsoDate(date)}</h2>
        {list.error ? <ErrorNote message={list.error} testId="bookings-error" /> : null}
        {list.loading && !list.data ? <Loading /> : null}
        {list.data ? (
          list.data.results.length === 0 ? (
            <p className="muted" data-testid="bookings-empty">
              No bookings on this day.
            </p>
          ) : (
            <table className="table" data-testid="bookings-table" aria-busy={list.loading}>
              <thead>
                <tr>
                  <th>Time</th>
                  <th>Client</th>
                  <th>Service</th>
                  <th>With</th>
                  <th>Price</th>
                  <th>Status</th>
                  <th aria-label="Actions" />
                </tr>
              </thead>
              <tbody>
                {list.data.results.map((booking) => (
                  // The status is in the key: a reloaded list with a changed booking remounts its row.
                  <BookingRow key={`${booking.id}:${booking.status}`} booking={booking} highlighted={booking.id === created?.id} />
                ))}
              </tbody>
            </table>
          )
        ) : null}
        {list.data && list.data.count > list.data.results.length ? (
          <p className="muted">
            Showing the first {list.data.results.length} of {list.data.count}; narrow the list with the search.
          </p>
        ) : null}
      </section>
      <BookingForm defaultDate={date} onCreated={onCreated} created={created} />
    </div>
  );
}
