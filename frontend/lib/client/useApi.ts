"use client";

import { useCallback, useEffect, useState } from "react";

import { api, errorMessage } from "./api";

type Query = Record<string, string | number | undefined>;

export interface Loaded<T> {
  /** The answer for the current path and query; never one for an earlier query. */
  data: T | null;
  error: string | null;
  loading: boolean;
  reload: () => void;
}

interface Answer<T> {
  key: string;
  data: T | null;
  error: string | null;
}

/** GET through the proxy whenever the path or the query changes; null path = nothing. */
export function useApi<T>(path: string | null, query?: Query): Loaded<T> {
  const key = path === null ? null : `${path}?${JSON.stringify(query ?? {})}`;
  const [answer, setAnswer] = useState<Answer<T> | null>(null);
  const [fetching, setFetching] = useState(false);
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    if (path === null || key === null) return;
    // A late answer for an earlier query must not overwrite the current one.
    let current = true;
    setFetching(true);
    api
      .get<T>(path, query)
      .then((data) => current && setAnswer({ key, data, error: null }))
      .catch((reason: unknown) => current && setAnswer({ key, data: null, error: errorMessage(reason) }))
      .finally(() => current && setFetching(false));
    return () => {
      current = false;
    };
    // `key` stands for path and query by value, so an equal new query object does
    // not fetch again.
  }, [key, generation]);

  const reload = useCallback(() => setGeneration((value) => value + 1), []);
  const settled = answer !== null && answer.key === key ? answer : null;
  return {
    data: settled?.data ?? null,
    error: settled?.error ?? null,
    loading: key !== null && (settled === null || fetching),
    reload,
  };
}
