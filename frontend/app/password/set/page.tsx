import type { Metadata } from "next";

import { SetPasswordForm } from "./SetPasswordForm";

export const metadata: Metadata = { title: "Choose your password" };

export default async function PasswordSetPage({ searchParams }: { searchParams: Promise<Record<string, string | string[]>> }) {
  const { token } = await searchParams;
  return <SetPasswordForm token={typeof token === "string" ? token : ""} />;
}
