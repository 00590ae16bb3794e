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

/**
 * An opaque reference (22 URL-safe characters): what the public booking pages show and
 * take in place of ids, which would tell visitors how busy the whole platform is.
 */
export type Reference = string;

/** A service as the business's members see it. */
export interface Service {
  id: number;
  /** What the public booking pages call it (e.g. the `service` of the public slots). */
  ref: Reference;
  name: string;
  description: string;
  duration_minutes: number;
  price: string;
  capacity: number;
  is_active: boolean;
}

/** A service as the public booking page sees it: no id. */
export interface PublicService {
  ref: Reference;
  name: string;
  description: string;
  duration_minutes: number;
  price: string;
  capacity: number;
}

export interface Client {
  id: number;
  name: string;
  email: string;
  phone: string;
}

export interface StaffMember {
  id: number;
  /** What the public booking pages call them (e.g. the `staff` of the public slots). */
  ref: Reference;
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
  /** The staff member's reference: give it as `staff` to the public booking request. */
  staff: Reference;
  staff_name: string;
}

export interface PublicBookingConfirmation {
  /** The booking's reference, to quote to the business (the booking's id is not shown). */
  ref: Reference;
  service_name: string;
  staff_name: string;
  starts_at: string;
  ends_at: string;
  status: BookingStatus;
}

/** A team-chat channel, with the caller's membership and unread count. */
export interface Channel {
  id: number;
  name: string;
  topic: string;
  is_private: boolean;
  is_archived: boolean;
  created_by: number | null;
  created_by_name: string;
  created_at: string;
  is_member: boolean;
  is_admin: boolean;
  member_count: number;
  unread_count: number;
}

export interface MessageAttachment {
  id: number;
  original_name: string;
  size: number;
  content_type: string;
  uploaded_at: string;
}

/** A message: the REST answer and the `message` of a socket's `message.created`. */
export interface Message {
  id: number;
  channel: number;
  author: number | null;
  author_name: string;
  body: string;
  created_at: string;
  edited_at: string | null;
  attachments: MessageAttachment[];
}
