"use client";

import { ErrorNote, Loading, StatusBadge } from "@/components/Status";
import { useTenant } from "@/components/TenantContext";
import { useApi } from "@/lib/client/useApi";
import { formatDateTime, formatIsoDate, formatTime, isoDateIn } from "@/lib/time";
import type { BusinessEvent, ComplianceScore, Dashboard as DashboardData, Page } from "@/lib/types";

function Figure({ label, value, testId }: { label: string; value: string | number; testId: string }) {
  return (
    <div className="figure" data-testid={testId}>
      <span className="figure__value">{value}</span>
      <span className="figure__label">{label}</span>
    </div>
  );
}

function TodaysBookings() {
  const { timezone } = useTenant();
  const { data, error, loading } = useApi<DashboardData>("bookings/dashboard/");
  if (error) return <ErrorNote message={error} />;
  if (loading || !data) return <Loading />;
  const today = data.upcoming.filter((booking) => isoDateIn(new Date(booking.starts_at), timezone) === data.date);
  const upcoming = today.length > 0 ? today : data.upcoming;
  return (
    <section className="card" data-testid="dashboard-today">
      <h2>Today, {formatIsoDate(data.date)}</h2>
      <div className="figures">
        <Figure label="bookings today" value={data.bookings_today} testId="figure-bookings-today" />
        <Figure label="waiting to be confirmed" value={data.pending_requests} testId="figure-pending" />
        <Figure label="revenue this week" value={`£${data.revenue_this_week}`} testId="figure-revenue" />
        <Figure label="new clients this week" value={data.new_clients_this_week} testId="figure-new-clients" />
      </div>
      <h3>{today.length > 0 ? "Today's bookings" : "Next bookings"}</h3>
      {upcoming.length === 0 ? (
        <p className="muted">Nothing booked.</p>
      ) : (
        <ul className="list">
          {upcoming.map((booking) => (
            <li key={booking.id} className="list__item list__item--booking" data-testid="dashboard-booking">
              <span className="list__time">
                {today.length > 0 ? formatTime(booking.starts_at, timezone) : formatDateTime(booking.starts_at, timezone)}
              </span>
              <span>
                <strong>{booking.client_name}</strong> · {booking.service_name} with {booking.staff_name}
              </span>
              <StatusBadge status={booking.status} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function ComplianceCard() {
  const { data, error, loading } = useApi<ComplianceScore>("compliance/score/");
  if (error) return <ErrorNote message={error} />;
  if (loading || !data) return <Loading />;
  return (
    <section className="card" data-testid="compliance-card">
      <h2>Peace of mind</h2>
      <p className="score" data-testid="compliance-score">
        {data.score}
        <span className="score__out-of">/100</span>
      </p>
      <p className="muted">
        {data.compliant_items} of {data.total_items} checks up to date
        {data.overdue_items > 0 ? `, ${data.overdue_items} overdue` : ""}
        {data.open_critical_incidents > 0 ? `, ${data.open_critical_incidents} critical incident open` : ""}.
      </p>
    </section>
  );
}

function ActivityFeed() {
  const { timezone } = useTenant();
  const { data, error, loading } = useApi<Page<BusinessEvent>>("core/events/", { page_size: 10 });
  if (error) return <ErrorNote message={error} />;
  if (loading || !data) return <Loading />;
  return (
    <section className="card" data-testid="activity-feed">
      <h2>Recent activity</h2>
      {data.results.length === 0 ? (
        <p className="muted">Nothing has happened yet.</p>
      ) : (
        <ul className="list">
          {data.results.map((event) => (
            <li key={event.id} className="list__item" data-testid="event">
              <span className="list__time">{formatDateTime(event.created_at, timezone)}</span>
              <span>
                {event.summary}
                {event.performed_by ? <span className="muted"> — {event.performed_by}</span> : null}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export function Dashboard() {
  return (
    <div className="grid" data-testid="dashboard">
      <TodaysBookings />
      <div className="stack">
        <ComplianceCard />
        <ActivityFeed />
      </div>
    </div>
  );
}
