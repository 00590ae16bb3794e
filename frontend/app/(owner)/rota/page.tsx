import type { Metadata } from "next";

import { parseIsoDate } from "@/lib/dates";

import { Rota } from "./Rota";

export const metadata: Metadata = { title: "Rota" };

export default async function RotaPage({ searchParams }: { searchParams: Promise<Record<string, string | string[]>> }) {
  const { week } = await searchParams;
  return <Rota initialWeek={parseIsoDate(week)} />;
}
