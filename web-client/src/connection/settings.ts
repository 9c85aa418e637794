// Where the dashboard sends its RPCs and with which API token.

/** Key of the API token in sessionStorage (kept per tab, gone when the tab closes). */
export const TOKEN_STORAGE_KEY = "holdhunter.apiToken";

/**
 * The server base URL: the `?server=` query parameter if present (e.g.
 * `?server=http://127.0.0.1:50051`), else the page's own origin (the server serves the
 * dashboard itself). A trailing slash is removed.
 */
export function resolveServerUrl(location: { search: string; origin: string }): string {
  const param = new URLSearchParams(location.search).get("server")?.trim();
  const url = param ? param : location.origin;
  return url.replace(/\/+$/, "");
}

/** Reads the token; "" when none or when storage is unavailable. */
export function loadToken(storage: Pick<Storage, "getItem"> | undefined): string {
  try {
    return storage?.getItem(TOKEN_STORAGE_KEY) ?? "";
  } catch {
    return "";
  }
}

/** Stores the token (an empty token removes it). */
export function saveToken(storage: Pick<Storage, "setItem" | "removeItem"> | undefined, token: string): void {
  try {
    if (token) storage?.setItem(TOKEN_STORAGE_KEY, token);
    else storage?.removeItem(TOKEN_STORAGE_KEY);
  } catch {
    // Storage disabled (private mode): the token lives only in memory for this page.
  }
}
