import type { Metadata } from "next";

import { parseIsoDate } from "@/lib/dates";

import { Bookings } from "./Bookings";

export const metadata: Metadata = { title: "Bookings" };

export default async function BookingsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[]>>;
}) {
  const { date } = await searchParams;
  return <Bookings initialDate={parseIsoDate(date)} />;
}
