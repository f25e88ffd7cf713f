export interface User {
  readonly id: string;
  readonly email: string;
  readonly name: string;
  readonly createdAtMs: number;
}

/** The users of the example app, by id and by email (imports upsert by email, so re-running one is harmless). */
export interface UserDirectory {
  get(id: string): User | undefined;
  upsertByEmail(input: { email: string; name: string }, nowMs: number): { user: User; created: boolean };
  all(): readonly User[];
  /** Removes users created before `beforeMs` whose email is on the example.invalid test domain; returns how many. */
  removeTestUsers(beforeMs: number): number;
}

export function createUserDirectory(): UserDirectory {
  const byId = new Map<string, User>();
  const byEmail = new Map<string, User>();
  let nextId = 1;
  return {
    get: (id) => byId.get(id),
    all: () => [...byId.values()],
    upsertByEmail(input, nowMs) {
      const email = input.email.toLowerCase();
      const existing = byEmail.get(email);
      if (existing) return { user: existing, created: false };
      const user: User = { id: `u${nextId++}`, email, name: input.name, createdAtMs: nowMs };
      byId.set(user.id, user);
      byEmail.set(email, user);
      return { user, created: true };
    },
    removeTestUsers(beforeMs) {
      let removed = 0;
      for (const user of [...byId.values()]) {
        if (user.email.endsWith('@example.invalid') && user.createdAtMs < beforeMs) {
          byId.delete(user.id);
          byEmail.delete(user.email);
          removed++;
        }
      }
      return removed;
    },
  };
}
