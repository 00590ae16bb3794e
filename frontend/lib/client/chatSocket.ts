"use client";

import { useCallback, useEffect, useRef, useState } from "react";

import type { Message } from "@/lib/types";

import { api } from "./api";

// The team-chat socket (the backend's docs/websockets.md). The browser opens it directly
// on the backend; the ticket that opens it comes through this app's proxy, which adds
// the session. A ticket is good for one socket, so every attempt asks for a new one.

export type ServerFrame =
  | { type: "subscribed"; channel: number }
  | { type: "unsubscribed"; channel: number }
  | { type: "message.created"; channel: number; message: Message }
  | { type: "error"; code: string; channel?: unknown; detail?: unknown };

/**
 * `off`: no socket URL configured (REST only); `connecting`: the first attempt;
 * `live`: open; `reconnecting`: closed, waiting to try again with a fresh ticket.
 */
export type SocketState = "off" | "connecting" | "live" | "reconnecting";

export interface ChatSocket {
  state: SocketState;
  /** The channel the open socket is subscribed to (the server said so), else null. */
  subscribed: number | null;
  /** Sends `message.send` when subscribed to `channel`; false when it cannot (use REST). */
  send: (channel: number, body: string) => boolean;
}

const FIRST_DELAY_MS = 1_000;
const MAX_DELAY_MS = 30_000;
// A socket that stayed open this long was a success: the next failure starts over.
const STABLE_MS = 10_000;

/** 1 s, 2 s, 4 s … up to 30 s, each between half and all of it (many tabs don't retry in step). */
function backoff(attempt: number): number {
  const ceiling = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** Math.min(attempt, 10));
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}

function parseFrame(data: unknown): ServerFrame | null {
  if (typeof data !== "string") return null;
  try {
    const frame: unknown = JSON.parse(data);
    if (frame && typeof frame === "object" && "type" in frame && typeof frame.type === "string") {
      return frame as ServerFrame;
    }
  } catch {
    // Not JSON: ignored.
  }
  return null;
}

/**
 * One socket for the page, subscribed to `channel` (the channel on screen). Every frame
 * goes to `onFrame`. The socket is opened again with backoff, and a fresh ticket,
 * whenever it closes; at once when the browser comes back online.
 */
export function useChatSocket(
  url: string | null,
  channel: number | null,
  onFrame: (frame: ServerFrame) => void,
): ChatSocket {
  const [state, setState] = useState<SocketState>(url ? "connecting" : "off");
  const [subscribed, setSubscribed] = useState<number | null>(null);
  const socketRef = useRef<WebSocket | null>(null);
  const subscribedRef = useRef<number | null>(null);
  const channelRef = useRef(channel);
  const onFrameRef = useRef(onFrame);

  useEffect(() => {
    onFrameRef.current = onFrame;
  }, [onFrame]);

  const markSubscribed = useCallback((value: number | null) => {
    subscribedRef.current = value;
    setSubscribed(value);
  }, []);

  // The subscription follows the channel on screen.
  useEffect(() => {
    channelRef.current = channel;
    const socket = socketRef.current;
    if (!socket || socket.readyState !== WebSocket.OPEN) return;
    const previous = subscribedRef.current;
    if (previous === channel) return;
    if (previous !== null) socket.send(JSON.stringify({ type: "unsubscribe", channel: previous }));
    markSubscribed(null);
    if (channel !== null) socket.send(JSON.stringify({ type: "subscribe", channel }));
  }, [channel, markSubscribed]);

  useEffect(() => {
    if (!url) {
      setState("off");
      return;
    }
    let stopped = false;
    let attempt = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    // Between asking for a ticket and holding a socket: no second attempt meanwhile.
    let opening = false;

    function retryLater() {
      if (stopped) return;
      setState("reconnecting");
      clearTimeout(timer);
      timer = setTimeout(connect, backoff(attempt));
      attempt += 1;
    }

    async function connect() {
      if (stopped || opening || socketRef.current) return;
      opening = true;
      let ticket: string;
      try {
        ticket = (await api.post<{ ticket: string }>("comms/ws-ticket/")).ticket;
      } catch {
        // Signed out (the api client goes to /login), or the backend is away: later.
        opening = false;
        retryLater();
        return;
      }
      opening = false;
      if (stopped || !url) return;
      const target = new URL(url);
      target.searchParams.set("ticket", ticket);
      let socket: WebSocket;
      try {
        socket = new WebSocket(target.toString());
      } catch {
        retryLater();
        return;
      }
      socketRef.current = socket;
      let openedAt = 0;

      socket.onopen = () => {
        openedAt = Date.now();
        setState("live");
        markSubscribed(null);
        if (channelRef.current !== null) {
          socket.send(JSON.stringify({ type: "subscribe", channel: channelRef.current }));
        }
      };
      socket.onmessage = (event: MessageEvent) => {
        const frame = parseFrame(event.data);
        if (!frame) return;
        if (frame.type === "subscribed") {
          // A late answer for a channel left since is not a subscription to keep.
          if (frame.channel !== channelRef.current) {
            socket.send(JSON.stringify({ type: "unsubscribe", channel: frame.channel }));
            return;
          }
          markSubscribed(frame.channel);
        } else if (frame.type === "unsubscribed" && frame.channel === subscribedRef.current) {
          markSubscribed(null);
        }
        onFrameRef.current(frame);
      };
      socket.onclose = () => {
        if (socketRef.current === socket) socketRef.current = null;
        markSubscribed(null);
        // Refused sockets (a used or expired ticket: 4401, a user no longer allowed: 4403)
        // close at once; only a socket that lived a while resets the backoff.
        if (openedAt && Date.now() - openedAt >= STABLE_MS) attempt = 0;
        retryLater();
      };
    }

    function reconnectNow() {
      if (stopped || opening || socketRef.current) return;
      clearTimeout(timer);
      attempt = 0;
      void connect();
    }

    setState("connecting");
    void connect();
    window.addEventListener("online", reconnectNow);
    return () => {
      stopped = true;
      clearTimeout(timer);
      window.removeEventListener("online", reconnectNow);
      const socket = socketRef.current;
      socketRef.current = null;
      markSubscribed(null);
      if (socket) {
        socket.onclose = null;
        socket.onmessage = null;
        socket.close(1000);
      }
    };
  }, [url, markSubscribed]);

  const send = useCallback((target: number, body: string) => {
    const socket = socketRef.current;
    if (!socket || socket.readyState !== WebSocket.OPEN || subscribedRef.current !== target) return false;
    socket.send(JSON.stringify({ type: "message.send", channel: target, body }));
    return true;
  }, []);

  return { state, subscribed, send };
}
