import type { Metadata } from "next";

import { ResetForm } from "./ResetForm";

export const metadata: Metadata = { title: "Reset your password" };

export default function PasswordResetPage() {
  return <ResetForm />;
}
