"use client";

import { useState } from "react";

import { ErrorNote, Loading } from "@/components/Status";
import { useTenant } from "@/components/TenantContext";
import { useApi } from "@/lib/client/useApi";
import { addDays, formatIsoDate, formatTime, isoDateIn, mondayOf, todayIn, zonedToUtc } from "@/lib/time";
import type { Page, Shift } from "@/lib/types";

export function Rota({ initialWeek }: { initialWeek: string | undefined }) {
  const { timezone } = useTenant();
  const [monday, setMonday] = useState(() => mondayOf(initialWeek ?? todayIn(timezone)));
  const shifts = useApi<Page<Shift>>("staff/shifts/", {
    starts_after: zonedToUtc(monday, "00:00", timezone).toISOString(),
    starts_before: zonedToUtc(addDays(monday, 7), "00:00", timezone).toISOString(),
    ordering: "starts_at",
    page_size: 100,
  });

  function showWeek(day: string) {
    setMonday(day);
    window.history.replaceState(null, "", `/rota?week=${day}`);
  }

  const days = Array.from({ length: 7 }, (_, index) => addDays(monday, index));
  const byDay = new Map<string, Shift[]>(days.map((day) => [day, []]));
  for (const shift of shifts.data?.results ?? []) {
    byDay.get(isoDateIn(new Date(shift.starts_at), timezone))?.push(shift);
  }

  return (
    <section className="card">
      <div className="toolbar">
        <h1>Rota</h1>
        <div className="toolbar__controls">
          <button type="button" className="button button--quiet" onClick={() => showWeek(addDays(monday, -7))}>
            ← Previous week
          </button>
          <span data-testid="rota-week">Week of {formatIsoDate(monday)}</span>
          <button type="button" className="button button--quiet" onClick={() => showWeek(addDays(monday, 7))}>
            Next week →
          </button>
        </div>
      </div>
      {shifts.error ? <ErrorNote message={shifts.error} /> : null}
      {shifts.loading && !shifts.data ? <Loading /> : null}
      {shifts.data ? (
        <div className="rota" data-testid="rota" aria-busy={shifts.loading}>
          {days.map((day) => (
            <div key={day} className="rota__day">
              <h3>{formatIsoDate(day)}</h3>
              {(byDay.get(day) ?? []).length === 0 ? <p className="muted small">No shifts</p> : null}
              <ul className="list">
                {(byDay.get(day) ?? []).map((shift) => (
                  <li key={shift.id} className="list__item list__item--stacked" data-testid="shift-row">
                    <strong data-testid="shift-staff">{shift.staff_name}</strong>
                    <span>
                      {formatTime(shift.starts_at, timezone)}–{formatTime(shift.ends_at, timezone)}
                    </span>
                    <span className="muted small">
                      {[shift.role, shift.location].filter(Boolean).join(" · ")}
                    </span>
                  </li>
                ))}
              </ul>
            </div>
          ))}
        </div>
      ) : null}
    </section>
  );
}
