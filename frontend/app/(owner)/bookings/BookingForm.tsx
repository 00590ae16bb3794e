"use client";

import { useEffect, useState, type FormEvent } from "react";

import { ErrorNote, Loading } from "@/components/Status";
import { useTenant } from "@/components/TenantContext";
import { api, errorMessage } from "@/lib/client/api";
import { useApi } from "@/lib/client/useApi";
import { formatDateTime, formatTime } from "@/lib/time";
import type { Booking, Client, Page, Service, Slot, StaffMember } from "@/lib/types";

interface Props {
  defaultDate: string;
  created: Booking | null;
  onCreated: (booking: Booking) => void;
}

/**
 * A booking made by the business. Times come from the free slots of the chosen
 * person, so the form never offers a time the backend would refuse as a double
 * booking (it still checks, and says so, if someone was quicker).
 */
export function BookingForm({ defaultDate, created, onCreated }: Props) {
  const { timezone } = useTenant();
  const services = useApi<Page<Service>>("bookings/services/", { is_active: "true", ordering: "name", page_size: 100 });
  const staff = useApi<Page<StaffMember>>("bookings/staff/", { is_active: "true", ordering: "name", page_size: 100 });
  const clients = useApi<Page<Client>>("bookings/clients/", { ordering: "name", page_size: 100 });

  const [serviceId, setServiceId] = useState("");
  const [staffId, setStaffId] = useState("");
  const [clientId, setClientId] = useState("");
  const [date, setDate] = useState(defaultDate);
  const [startsAt, setStartsAt] = useState("");
  const [notes, setNotes] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  // Staff with no services listed can do anything (the backend's rule for slots too).
  const offers = (person: StaffMember, service: string) =>
    !service || person.services.length === 0 || person.services.includes(Number(service));
  const qualified = (staff.data?.results ?? []).filter((person) => offers(person, serviceId));

  function chooseService(service: string) {
    setServiceId(service);
    const person = staff.data?.results.find((candidate) => String(candidate.id) === staffId);
    if (person && !offers(person, service)) setStaffId("");
  }

  // The free times come from the public slots, which know services and people by their
  // references (the public pages show no ids); the booking itself is made with ids.
  const chosenService = services.data?.results.find((candidate) => String(candidate.id) === serviceId);
  const chosenPerson = staff.data?.results.find((candidate) => String(candidate.id) === staffId);
  const slots = useApi<Slot[]>(
    chosenService && chosenPerson && date ? "bookings/public/slots/" : null,
    { service: chosenService?.ref, staff: chosenPerson?.ref, date },
  );
  useEffect(() => setStartsAt(""), [serviceId, staffId, date]);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const booking = await api.post<Booking>("bookings/bookings/", {
        service: Number(serviceId),
        staff: Number(staffId),
        client: Number(clientId),
        starts_at: startsAt,
        notes,
      });
      setStartsAt("");
      setNotes("");
      slots.reload();
      onCreated(booking);
    } catch (reason) {
      setError(errorMessage(reason));
    }
    setBusy(false);
  }

  const loadError = services.error ?? staff.error ?? clients.error;
  if (loadError) return <ErrorNote message={loadError} />;
  if (!services.data || !staff.data || !clients.data) return <Loading />;

  return (
    <section className="card">
      <h2>New booking</h2>
      <form className="form form--grid" onSubmit={submit} data-testid="booking-form">
        <label>
          Service
          <select value={serviceId} onChange={(e) => chooseService(e.target.value)} required data-testid="form-service">
            <option value="">Choose…</option>
            {services.data.results.map((service) => (
              <option key={service.id} value={service.id}>
                {service.name} ({service.duration_minutes} min, £{service.price})
              </option>
            ))}
          </select>
        </label>
        <label>
          With
          <select value={staffId} onChange={(e) => setStaffId(e.target.value)} required data-testid="form-staff">
            <option value="">Choose…</option>
            {qualified.map((person) => (
              <option key={person.id} value={person.id}>
                {person.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Client
          <select value={clientId} onChange={(e) => setClientId(e.target.value)} required data-testid="form-client">
            <option value="">Choose…</option>
            {clients.data.results.map((client) => (
              <option key={client.id} value={client.id}>
                {client.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Day
          <input type="date" value={date} onChange={(e) => setDate(e.target.value)} required data-testid="form-date" />
        </label>
        <label>
          Time
          <select
            value={startsAt}
            onChange={(e) => setStartsAt(e.target.value)}
            required
            disabled={!slots.data || slots.data.length === 0}
            data-testid="form-time"
            data-ready={slots.data && !slots.loading ? "true" : "false"}
          >
            <option value="">
              {!serviceId || !staffId
                ? "Pick service and person"
                : slots.loading
                  ? "Looking for free times…"
                  : slots.data?.length
                    ? "Choose…"
                    : "No free time on this day"}
            </option>
            {(slots.data ?? []).map((slot) => (
              <option key={slot.starts_at} value={slot.starts_at}>
                {formatTime(slot.starts_at, timezone)}
              </option>
            ))}
          </select>
        </label>
        <label className="form__wide">
          Notes
          <input value={notes} onChange={(e) => setNotes(e.target.value)} maxLength={2000} data-testid="form-notes" />
        </label>
        {slots.error ? <ErrorNote message={slots.error} /> : null}
        {error ? <ErrorNote message={error} testId="booking-form-error" /> : null}
        <div className="form__wide">
          <button type="submit" className="button" disabled={busy || !startsAt} data-testid="form-submit">
            {busy ? "Booking…" : "Book"}
          </button>
        </div>
      </form>
      {created ? (
        <p className="alert alert--ok" role="status" data-testid="booking-created" data-booking-id={created.id}>
          Booked: {created.client_name}, {created.service_name} with {created.staff_name},{" "}
          {formatDateTime(created.starts_at, timezone)}.
        </p>
      ) : null}
    </section>
  );
}
