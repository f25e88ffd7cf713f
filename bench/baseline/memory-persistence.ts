import {
  IdempotencyItemAlreadyExistsError,
  IdempotencyItemNotFoundError,
} from '@aws-lambda-powertools/idempotency';
import { BasePersistenceLayer, type IdempotencyRecord } from '@aws-lambda-powertools/idempotency/persistence';

/**
 * Powertools idempotency records in a Map: the baseline with its I/O taken out, so the worker figure can isolate
 * the libraries' own cost per job. Powertools documents custom persistence layers as subclasses of
 * BasePersistenceLayer; the put condition mirrors DynamoDBPersistenceLayer's (absent, expired, or an in-progress
 * record whose in-progress expiry has passed).
 */
export class MemoryPersistenceLayer extends BasePersistenceLayer {
  private readonly records = new Map<string, IdempotencyRecord>();

  protected async _putRecord(record: IdempotencyRecord): Promise<void> {
    const existing = this.records.get(record.idempotencyKey);
    if (existing && !this.replaceable(existing)) {
      throw new IdempotencyItemAlreadyExistsError(
        `Failed to put record for already existing idempotency key: ${record.idempotencyKey}`,
        existing,
      );
    }
    this.records.set(record.idempotencyKey, record);
  }

  protected async _getRecord(idempotencyKey: string): Promise<IdempotencyRecord> {
    const record = this.records.get(idempotencyKey);
    if (!record) throw new IdempotencyItemNotFoundError();
    return record;
  }

  protected async _updateRecord(record: IdempotencyRecord): Promise<void> {
    this.records.set(record.idempotencyKey, record);
  }

  protected async _deleteRecord(record: IdempotencyRecord): Promise<void> {
    this.records.delete(record.idempotencyKey);
  }

  private replaceable(existing: IdempotencyRecord): boolean {
    const nowMs = Date.now();
    if ((existing.expiryTimestamp ?? Number.POSITIVE_INFINITY) < nowMs / 1000) return true;
    const inProgressUntil = existing.inProgressExpiryTimestamp;
    return existing.getStatus() === 'INPROGRESS' && inProgressUntil !== undefined && inProgressUntil < nowMs;
  }
}
