import type { Metadata } from "next";

import { PublicBooking } from "./PublicBooking";

export const metadata: Metadata = { title: "Book online" };

export default function BookPage() {
  return <PublicBooking />;
}
