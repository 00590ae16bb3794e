"use client";

import { useCallback, useEffect, useLayoutEffect, useRef, useState } from "react";

import { ErrorNote, Loading } from "@/components/Status";
import { useTenant } from "@/components/TenantContext";
import { api, errorMessage } from "@/lib/client/api";
import { formatDate, formatTime, isoDateIn } from "@/lib/time";
import type { Message, Page } from "@/lib/types";

// Newest first from the API, one page at a time; shown oldest first.
const PAGE_SIZE = 30;

type Change = "reset" | "older" | "newer";

interface HistoryState {
  channel: number | null;
  messages: Message[];
  /** Pages of the newest-first list read so far. */
  pages: number;
  hasMore: boolean;
  loading: boolean;
  loadingOlder: boolean;
  error: string | null;
  change: Change;
}

export interface ChannelHistory extends HistoryState {
  loadOlder: () => void;
  /** A message of the open channel (from the socket or a REST answer). */
  receive: (message: Message) => void;
  /** Reads the newest page again after a (re)subscription: what was missed meanwhile. */
  catchUp: (channel: number) => void;
  post: (channel: number, body: string) => Promise<Message>;
}

const EMPTY: HistoryState = {
  channel: null,
  messages: [],
  pages: 0,
  hasMore: false,
  loading: false,
  loadingOlder: false,
  error: null,
  change: "reset",
};

function byTime(a: Message, b: Message): number {
  return Date.parse(a.created_at) - Date.parse(b.created_at) || a.id - b.id;
}

/** Both lists, each message once (the later copy wins), oldest first. */
function merge(current: Message[], incoming: Message[]): Message[] {
  const byId = new Map(current.map((message) => [message.id, message]));
  for (const message of incoming) byId.set(message.id, message);
  return [...byId.values()].sort(byTime);
}

function fetchPage(channel: number, page: number): Promise<Page<Message>> {
  return api.get<Page<Message>>(`comms/channels/${channel}/messages/`, {
    ordering: "-created_at",
    page_size: PAGE_SIZE,
    page,
  });
}

export function useChannelMessages(channel: number | null): ChannelHistory {
  const [state, setState] = useState<HistoryState>(EMPTY);
  const current = useRef(channel);

  useEffect(() => {
    current.current = channel;
    if (channel === null) {
      setState(EMPTY);
      return;
    }
    setState({ ...EMPTY, channel, loading: true });
    fetchPage(channel, 1)
      .then((page) => {
        if (current.current !== channel) return;
        setState((previous) => ({
          ...previous,
          // Messages that came by socket while the page loaded are kept.
          messages: merge(previous.channel === channel ? previous.messages : [], page.results),
          pages: 1,
          hasMore: page.next !== null,
          loading: false,
          change: "reset",
        }));
      })
      .catch((error: unknown) => {
        if (current.current !== channel) return;
        setState((previous) => ({ ...previous, loading: false, error: errorMessage(error) }));
      });
  }, [channel]);

  const { pages, hasMore, loadingOlder } = state;
  const loadOlder = useCallback(() => {
    const target = current.current;
    if (target === null || loadingOlder || !hasMore) return;
    const next = pages + 1;
    setState((previous) => ({ ...previous, loadingOlder: true }));
    fetchPage(target, next)
      .then((page) => {
        if (current.current !== target) return;
        setState((previous) => ({
          ...previous,
          // Messages posted since the first page push the others down the list: a
          // page may repeat some already shown, never skip one.
          messages: merge(previous.messages, page.results),
          pages: next,
          hasMore: page.next !== null,
          loadingOlder: false,
          change: "older",
        }));
      })
      .catch((error: unknown) => {
        if (current.current !== target) return;
        setState((previous) => ({ ...previous, loadingOlder: false, error: errorMessage(error) }));
      });
  }, [pages, hasMore, loadingOlder]);

  const receive = useCallback((message: Message) => {
    if (message.channel !== current.current) return;
    setState((previous) =>
      previous.channel === message.channel
        ? { ...previous, messages: merge(previous.messages, [message]), change: "newer" }
        : previous,
    );
  }, []);

  const catchUp = useCallback((target: number) => {
    if (target !== current.current) return;
    fetchPage(target, 1)
      .then((page) => {
        if (current.current !== target) return;
        setState((previous) => {
          if (previous.channel !== target) return previous;
          const known = new Set(previous.messages.map((message) => message.id));
          const overlaps = page.results.some((message) => known.has(message.id));
          // More was missed than one page holds: start again from the newest page
          // rather than show a list with a hole in it.
          if (!overlaps && previous.messages.length > 0 && page.next !== null) {
            return { ...previous, messages: merge([], page.results), pages: 1, hasMore: true, change: "reset" };
          }
          return { ...previous, messages: merge(previous.messages, page.results), change: "newer" };
        });
      })
      .catch(() => undefined);
  }, []);

  const post = useCallback(
    (target: number, body: string) => api.post<Message>(`comms/channels/${target}/messages/`, { body }),
    [],
  );

  return { ...state, loadOlder, receive, catchUp, post };
}

export function Messages({ history }: { history: ChannelHistory }) {
  const { timezone } = useTenant();
  const box = useRef<HTMLDivElement>(null);
  const nearBottom = useRef(true);
  const heightBefore = useRef(0);

  function remember() {
    const element = box.current;
    if (!element) return;
    nearBottom.current = element.scrollHeight - element.scrollTop - element.clientHeight < 80;
    heightBefore.current = element.scrollHeight;
  }

  // New messages keep the view at the bottom if it was there; older ones, added above,
  // keep what the reader was looking at in place.
  useLayoutEffect(() => {
    const element = box.current;
    if (!element) return;
    if (history.change === "older") {
      element.scrollTop += element.scrollHeight - heightBefore.current;
    } else if (history.change === "reset" || nearBottom.current) {
      element.scrollTop = element.scrollHeight;
    }
    remember();
  }, [history.messages, history.change]);

  let lastDay = "";
  return (
    <div className="chat__messages" ref={box} onScroll={remember} data-testid="chat-messages" aria-live="polite">
      {history.error ? <ErrorNote message={history.error} /> : null}
      {history.hasMore ? (
        <button
          type="button"
          className="button button--quiet chat__older"
          onClick={history.loadOlder}
          disabled={history.loadingOlder}
          data-testid="chat-older"
        >
          {history.loadingOlder ? "Loading…" : "Show older messages"}
        </button>
      ) : null}
      {history.loading && history.messages.length === 0 ? <Loading /> : null}
      {!history.loading && !history.error && history.messages.length === 0 ? (
        <p className="muted">No messages yet. Say hello.</p>
      ) : null}
      <ol className="list chat__list">
        {history.messages.map((message) => {
          const day = isoDateIn(new Date(message.created_at), timezone);
          const heading = day !== lastDay ? formatDate(message.created_at, timezone) : null;
          lastDay = day;
          return (
            <li key={message.id} className="chat__message" data-testid="chat-message" data-message={message.id}>
              {heading ? <p className="chat__day">{heading}</p> : null}
              <div className="chat__meta">
                <strong>{message.author_name || "Someone"}</strong>
                <time className="muted small" dateTime={message.created_at}>
                  {formatTime(message.created_at, timezone)}
                </time>
                {message.edited_at ? <span className="muted small">(edited)</span> : null}
              </div>
              <p className="chat__body" data-testid="chat-message-body">
                {message.body}
              </p>
              {message.attachments.length > 0 ? (
                <ul className="chat__files small">
                  {message.attachments.map((file) => (
                    <li key={file.id}>
                      <a href={`/api/proxy/comms/messages/${message.id}/attachments/${file.id}/download`}>
                        {file.original_name}
                      </a>
                    </li>
                  ))}
                </ul>
              ) : null}
            </li>
          );
        })}
      </ol>
    </div>
  );
}
