// Shapes of the backend's answers (see the API's OpenAPI schema at /api/schema/).

export interface Branding {
  slug: string;
  name: string;
  tagline: string;
  primary_colour: string;
  secondary_colour: string;
  logo_url: string;
  timezone: string;
  opening_hour: number;
  closing_hour: number;
}

export interface Page<T> {
  count: number;
  next: string | null;
  previous: string | null;
  results: T[];
}

export type BookingStatus = "pending" | "confirmed" | "completed" | "cancelled" | "no_show";

export interface Booking {
  id: number;
  client: number;
  client_name: string;
  service: number;
  service_name: string;
  staff: number;
  staff_name: string;
  starts_at: string;
  ends_at: string;
  status: BookingStatus;
  source: "staff" | "online";
  price: string;
  credit: number | null;
  notes: string;
  created_at: string;
  cancelled_at: string | null;
}

export interface DashboardBooking {
  id: number;
  client_name: string;
  service_name: string;
  staff_name: string;
  starts_at: string;
  ends_at: string;
  status: BookingStatus;
}

export interface Dashboard {
  date: string;
  bookings_today: number;
  pending_requests: number;
  cancellations_this_week: number;
  revenue_this_week: string;
  new_clients_this_week: number;
  upcoming: DashboardBooking[];
}

export interface BusinessEvent {
  id: number;
  kind: string;
  summary: string;
  performed_by: string;
  object_type: string;
  object_id: string;
  created_at: string;
}

export interface ComplianceScore {
  score: number;
  compliant_items: number;
  total_items: number;
  overdue_items: number;
  open_critical_incidents: number;
  computed_at: string;
}

export interface Service {
  id: number;
  name: string;
  description?: string;
  duration_minutes: number;
  price: string;
  capacity: number;
  is_active?: boolean;
}

export interface Client {
  id: number;
  name: string;
  email: string;
  phone: string;
}

export interface StaffMember {
  id: number;
  name: string;
  services: number[];
  is_active: boolean;
}

export interface Shift {
  id: number;
  staff_profile: number;
  staff_name: string;
  starts_at: string;
  ends_at: string;
  role: string;
  location: string;
  notes: string;
}

export interface Slot {
  starts_at: string;
  ends_at: string;
  staff: number;
  staff_name: string;
}

export interface PublicBookingConfirmation {
  id: number;
  service_name: string;
  staff_name: string;
  starts_at: string;
  ends_at: string;
  status: BookingStatus;
}
