import { randomBytes } from "node:crypto";

// Signed-in operators, in memory: a restart signs everyone out, which for a duty console is fine.
// The session id travels only in an HttpOnly cookie; the CSRF token is handed to the page and must
// come back in a header on every state-changing request.

export interface Session {
  readonly id: string;
  readonly operator: string;
  readonly csrf: string;
  readonly expiresAt: number;
}

const randomId = () => randomBytes(32).toString("base64url");

export const createSessions = (lifetimeMs: number, now: () => number = Date.now) => {
  const sessions = new Map<string, Session>();
  const sweep = () => {
    const t = now();
    for (const [id, s] of sessions) if (s.expiresAt <= t) sessions.delete(id);
  };
  return {
    open: (operator: string): Session => {
      sweep();
      const session = { id: randomId(), operator, csrf: randomId(), expiresAt: now() + lifetimeMs };
      sessions.set(session.id, session);
      return session;
    },
    find: (id: string | undefined): Session | undefined => {
      if (id === undefined) return undefined;
      const session = sessions.get(id);
      if (session === undefined || session.expiresAt > now()) return session;
      sessions.delete(id);
      return undefined;
    },
    close: (id: string) => void sessions.delete(id),
    get size() {
      return sessions.size;
    },
  };
};
export type Sessions = ReturnType<typeof createSessions>;
