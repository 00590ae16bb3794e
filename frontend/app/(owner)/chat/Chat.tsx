"use client";

import { useCallback, useEffect, useRef, useState, type FormEvent } from "react";

import { ErrorNote, Loading } from "@/components/Status";
import { api, errorMessage } from "@/lib/client/api";
import { useChatSocket, type ServerFrame, type SocketState } from "@/lib/client/chatSocket";
import { useApi } from "@/lib/client/useApi";
import type { Channel, Page } from "@/lib/types";

import { Messages, useChannelMessages } from "./Messages";

const STATE_LABELS: Record<SocketState, string> = {
  off: "Live updates off",
  connecting: "Connecting…",
  live: "Live",
  reconnecting: "Reconnecting…",
};

// What an error frame means to the person who was sending (the backend's error codes).
const SEND_ERRORS: Record<string, string> = {
  channel_not_found: "You can no longer post in this channel.",
  rate_limited: "Too many messages at once; wait a moment and send again.",
  forbidden: "You can't post in this channel.",
  server_error: "The message could not be sent; try again.",
};

function describeFrameError(frame: Extract<ServerFrame, { type: "error" }>): string {
  if (frame.code === "invalid") {
    const detail = frame.detail;
    if (detail && typeof detail === "object") {
      const texts = Object.values(detail as Record<string, unknown>)
        .flatMap((value) => (Array.isArray(value) ? value : [value]))
        .filter((value): value is string => typeof value === "string");
      if (texts.length > 0) return texts.join(" ");
    }
    return "The message was refused.";
  }
  return SEND_ERRORS[frame.code] ?? `The message could not be sent (${frame.code}).`;
}

function ConnectionState({ state }: { state: SocketState }) {
  return (
    <span className={`connection connection--${state}`} data-testid="chat-connection" data-state={state} role="status">
      {STATE_LABELS[state]}
    </span>
  );
}

export function Chat({ socketUrl, initialChannel }: { socketUrl: string | null; initialChannel: number | undefined }) {
  const channels = useApi<Page<Channel>>("comms/channels/", { ordering: "name", page_size: 100 });
  const [chosen, setChosen] = useState<number | undefined>(initialChannel);
  const [readChannels, setReadChannels] = useState<ReadonlySet<number>>(() => new Set());
  const list = channels.data?.results ?? [];
  const selected =
    list.find((channel) => channel.id === chosen) ?? (chosen === undefined ? list.find((c) => c.is_member) : undefined);
  const readable = selected?.is_member ? selected.id : null;

  const history = useChannelMessages(readable);
  const [draft, setDraft] = useState("");
  const [sending, setSending] = useState(false);
  const [sendError, setSendError] = useState<string | null>(null);
  // A message sent by socket, until it comes back as message.created or as an error.
  const pending = useRef<{ channel: number; body: string } | null>(null);

  const onFrame = useCallback(
    (frame: ServerFrame) => {
      if (frame.type === "message.created") {
        history.receive(frame.message);
        const waiting = pending.current;
        if (waiting && waiting.channel === frame.channel && waiting.body.trim() === frame.message.body.trim()) {
          pending.current = null;
        }
      } else if (frame.type === "subscribed") {
        // Whatever was posted while no socket listened (or before this one subscribed).
        history.catchUp(frame.channel);
      } else if (frame.type === "error" && pending.current) {
        const waiting = pending.current;
        pending.current = null;
        setDraft((current) => (current === "" ? waiting.body : current));
        setSendError(describeFrameError(frame));
      }
    },
    [history.receive, history.catchUp],
  );
  const socket = useChatSocket(socketUrl, readable, onFrame);

  // Opening a channel counts its messages as read.
  useEffect(() => {
    if (readable === null || readChannels.has(readable)) return;
    setReadChannels((current) => new Set(current).add(readable));
    api.post(`comms/channels/${readable}/mark-read/`).catch(() => undefined);
  }, [readable, readChannels]);

  function choose(channel: Channel) {
    setChosen(channel.id);
    setSendError(null);
    pending.current = null;
    window.history.replaceState(null, "", `/chat?channel=${channel.id}`);
  }

  async function join(channel: Channel) {
    try {
      await api.post(`comms/channels/${channel.id}/join/`);
      channels.reload();
    } catch (error) {
      setSendError(errorMessage(error));
    }
  }

  async function send(event: FormEvent) {
    event.preventDefault();
    if (readable === null || sending) return;
    const body = draft;
    if (!body.trim()) return;
    setSendError(null);
    if (socket.send(readable, body)) {
      // It shows up when the server sends it back to this socket (message.created).
      pending.current = { channel: readable, body };
      setDraft("");
      return;
    }
    setSending(true);
    try {
      history.receive(await history.post(readable, body));
      setDraft("");
    } catch (error) {
      setSendError(errorMessage(error));
    } finally {
      setSending(false);
    }
  }

  return (
    <section className="card chat" data-testid="chat">
      <div className="toolbar">
        <h1>Team chat</h1>
        <ConnectionState state={socket.state} />
      </div>
      {channels.error ? <ErrorNote message={channels.error} /> : null}
      {channels.loading && !channels.data ? <Loading /> : null}
      {channels.data ? (
        <div className="chat__layout">
          <nav aria-label="Channels" className="chat__channels">
            {list.length === 0 ? <p className="muted small">No channels yet.</p> : null}
            <ul className="list">
              {list.map((channel) => {
                const unread = readChannels.has(channel.id) ? 0 : channel.unread_count;
                return (
                  <li key={channel.id}>
                    <button
                      type="button"
                      className={`chat__channel${channel.id === selected?.id ? " chat__channel--open" : ""}`}
                      aria-current={channel.id === selected?.id ? "true" : undefined}
                      data-testid="chat-channel"
                      data-channel={channel.id}
                      onClick={() => choose(channel)}
                    >
                      <span>
                        # {channel.name}
                        {channel.is_private ? <span className="chat__private"> private</span> : null}
                      </span>
                      {unread > 0 && channel.is_member ? (
                        <span className="badge" aria-label={`${unread} unread`}>
                          {unread}
                        </span>
                      ) : null}
                    </button>
                  </li>
                );
              })}
            </ul>
          </nav>
          <div className="chat__room">
            {!selected ? (
              <p className="muted">{chosen === undefined ? "Choose a channel." : "That channel isn't available."}</p>
            ) : (
              <>
                <div className="chat__room-head">
                  <h2 data-testid="chat-channel-name">
                    # {selected.name}
                    {selected.is_private ? <span className="chat__private"> private</span> : null}
                  </h2>
                  {selected.topic ? <p className="muted small">{selected.topic}</p> : null}
                </div>
                {selected.is_member ? (
                  <>
                    <Messages history={history} />
                    <form className="chat__composer" onSubmit={send}>
                      <label className="visually-hidden" htmlFor="chat-input">
                        Message #{selected.name}
                      </label>
                      <textarea
                        id="chat-input"
                        data-testid="chat-input"
                        rows={2}
                        maxLength={5000}
                        placeholder={`Message #${selected.name}`}
                        value={draft}
                        disabled={selected.is_archived}
                        onChange={(event) => setDraft(event.target.value)}
                        onKeyDown={(event) => {
                          if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
                            event.preventDefault();
                            event.currentTarget.form?.requestSubmit();
                          }
                        }}
                      />
                      <button
                        type="submit"
                        className="button"
                        data-testid="chat-send"
                        disabled={sending || selected.is_archived || !draft.trim()}
                      >
                        Send
                      </button>
                    </form>
                    {selected.is_archived ? <p className="muted small">This channel is archived.</p> : null}
                  </>
                ) : (
                  <div className="chat__join">
                    <p className="muted">You&apos;re not a member of this channel.</p>
                    {selected.is_private ? null : (
                      <button type="button" className="button" onClick={() => join(selected)} data-testid="chat-join">
                        Join #{selected.name}
                      </button>
                    )}
                  </div>
                )}
                {sendError ? <ErrorNote message={sendError} testId="chat-send-error" /> : null}
              </>
            )}
          </div>
        </div>
      ) : null}
    </section>
  );
}
