// A repository that fails on demand, around the real one: the fault injection of issue 5.
import { StorageUnavailableError, type MessageRepository, type NewMessage } from "../../src/storage/repository.js";

export interface FaultyRepo extends MessageRepository {
  /** While true, every call fails as an unwritable (or unreadable) store does. */
  isFailing: boolean;
  /** Every message that reached append, failed or not. */
  attempted: NewMessage[];
}

export function faultyRepo(inner: MessageRepository): FaultyRepo {
  const fault = (): Promise<never> => Promise.reject(new StorageUnavailableError("injected fault"));
  const repo: FaultyRepo = {
    isFailing: false,
    attempted: [],
    append: (msg) => {
      repo.attempted.push(msg);
      return repo.isFailing ? fault() : inner.append(msg);
    },
    page: (room, query) => (repo.isFailing ? fault() : inner.page(room, query)),
    isHealthy: () => (repo.isFailing ? Promise.resolve(false) : inner.isHealthy()),
    close: () => inner.close(),
  };
  return repo;
}
