import type { Metadata } from "next";

import { socketUrl } from "@/lib/server/config";

import { Chat } from "./Chat";

export const metadata: Metadata = { title: "Team chat" };

// The socket's URL is read from the server's environment for this request (like the
// business itself), so one build serves every business; the page gets it as a prop.
export default async function ChatPage({ searchParams }: { searchParams: Promise<Record<string, string | string[]>> }) {
  const { channel } = await searchParams;
  const initialChannel = typeof channel === "string" && /^\d{1,12}$/.test(channel) ? Number(channel) : undefined;
  return <Chat socketUrl={socketUrl()} initialChannel={initialChannel} />;
}
