import { randomUUID } from "node:crypto";
import type { Subscription } from "@nats-io/transport-node";
import {
  creditRecallSchema,
  leaseCreditReplySchema,
  returnLeaseReplySchema,
  type LeaseHold,
} from "@switchboard/contracts";
import type { Logger } from "@switchboard/telemetry";
import type { ServiceClients } from "../plugins/service-clients.js";
import { AccountLease } from "./account-lease.js";
import { SpendRate } from "./spend-rate.js";

export interface CreditLeasesOptions {
  clients: Pick<ServiceClients, "connection" | "request" | "subjects">;
  logger: Logger;
  /** Names this replica in billing's lease table, for operators. */
  holder: string;
  /** A generation may run this long: a lease is used only while one started now would end before it expires. */
  generationMaximumDurationMs: number;
  /** A lease no generation used for this long goes back to billing. */
  idleMs: number;
  /** A lease is sized to cover this many seconds of the account's recent spend… */
  secondsOfSpend?: number;
  /** …and at least this many of its largest recent holds. */
  minimumHolds?: number;
  /** After billing granted nothing (account near empty), how long before this replica asks again. */
  refusalBackoffMs?: number;
  /** Monotonic clock, replaceable in tests. */
  now?: () => number;
}

/** A generation's hold against a lease: kept by the generation, ended once with `finish`. */
export interface LeaseTicket {
  readonly lease: AccountLease;
  readonly amountMicros: number;
}

interface AccountCredit {
  current: AccountLease | null;
  granting: boolean;
  /** When billing last recalled the account's leases: a grant asked for before then is given back. */
  recalledAt: number;
  refusedUntil: number;
  spend: SpendRate;
}

// Slack between a lease's expiry at billing and the last moment a generation on it may still end: the
// fact publishing after the answer, and clock drift between the two hosts' timers.
const expirySafetyMs = 5_000;

/**
 * Credit leases on this ingress replica (README.md "Money"). A request's upper-bound cost is held
 * against the account's current lease in memory, with no database write and no billing round trip;
 * when the lease cannot cover it the caller reserves synchronously, as without leases. Leases are
 * asked for in the background (one request per account at a time), sized to a few seconds of the
 * account's spend, replaced before they run low or near their expiry (the old one is closed and
 * returned), returned when idle, and returned at once when billing recalls them because a synchronous
 * reservation elsewhere needs the credit.
 */
export class CreditLeases {
  private readonly accounts = new Map<string, AccountCredit>();
  private readonly now: () => number;
  private readonly secondsOfSpend: number;
  private readonly minimumHolds: number;
  private readonly refusalBackoffMs: number;
  private recallSubscription: Subscription | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  /** Lease requests and returns in flight: `stop` waits for them, so no lease is left behind. */
  private readonly pending = new Set<Promise<void>>();
  private stopped = false;

  constructor(private readonly options: CreditLeasesOptions) {
    this.now = options.now ?? (() => performance.now());
    this.secondsOfSpend = options.secondsOfSpend ?? 3;
    this.minimumHolds = options.minimumHolds ?? 16;
    this.refusalBackoffMs = options.refusalBackoffMs ?? 1_000;
  }

  /** Listens for recalls and starts returning idle leases. */
  start(): void {
    const { clients } = this.options;
    this.recallSubscription = clients.connection.subscribe(clients.subjects.creditRecall, {
      callback: (error, message) => {
        if (error) return;
        const recall = creditRecallSchema.safeParse(safeJson(message.data));
        if (recall.success) this.recall(recall.data.accountId);
      },
    });
    this.idleTimer = setInterval(() => this.returnIdle(), Math.max(this.options.idleMs / 2, 50));
    this.idleTimer.unref();
  }

  /**
   * Holds `amountMicros` for a generation against the account's lease, or returns null when no lease
   * covers it (the caller then reserves synchronously). Synchronous: this is the request path.
   */
  tryHold(accountId: string, amountMicros: number): LeaseTicket | null {
    const now = this.now();
    let credit = this.accounts.get(accountId);
    if (!credit) {
      credit = { current: null, granting: false, recalledAt: Number.NEGATIVE_INFINITY, refusedUntil: 0, spend: new SpendRate() };
      this.accounts.set(accountId, credit);
    }
    credit.spend.add(amountMicros, now);
    const lease = credit.current;
    if (lease && now >= lease.usableUntil) {
      credit.current = null;
      this.giveBack(lease);
    } else if (lease?.canHold(amountMicros, now)) {
      lease.hold(amountMicros, now);
      // Replaced once half used (not sooner: near empty billing grants less than asked, and replacing a
      // lease after every hold would only churn) or half-way to its usable end.
      if (lease.remainingMicros < lease.grantedMicros / 2 || now >= lease.renewAfter) this.requestLease(accountId, credit, amountMicros);
      return { lease, amountMicros };
    }
    this.requestLease(accountId, credit, amountMicros);
    return null;
  }

  /** Ends a generation's hold with its actual cost; the result goes into its completion fact. */
  finish(ticket: LeaseTicket, costMicros: number): LeaseHold {
    return ticket.lease.finish(ticket.amountMicros, costMicros);
  }

  /** Closes the account's current lease and gives back what it does not need (billing asked). */
  recall(accountId: string): void {
    const credit = this.accounts.get(accountId);
    if (!credit) return;
    // An account being recalled is near empty: asking again at once would only be refused.
    credit.recalledAt = this.now();
    credit.refusedUntil = credit.recalledAt + this.refusalBackoffMs;
    const lease = credit.current;
    if (!lease) return;
    credit.current = null;
    this.giveBack(lease);
  }

  /** Stops listening and returns every lease (generations still running keep their holds until their facts). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.recallSubscription?.unsubscribe();
    clearInterval(this.idleTimer);
    for (const credit of this.accounts.values()) {
      const lease = credit.current;
      credit.current = null;
      if (lease) this.giveBack(lease);
    }
    this.accounts.clear();
    // A lease granted while stopping is given back as it arrives; its return is then pending too.
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /** The slice to ask for: a few seconds of the account's spend, and at least a few of its largest holds. */
  private targetMicros(credit: AccountCredit, now: number): number {
    return Math.max(this.minimumHolds * credit.spend.largestHoldMicros, Math.ceil(this.secondsOfSpend * credit.spend.microsPerSecond(now)));
  }

  /** Asks billing for a new lease in the background, once per account at a time. */
  private requestLease(accountId: string, credit: AccountCredit, minimumMicros: number): void {
    const now = this.now();
    if (this.stopped || credit.granting || now < credit.refusedUntil) return;
    credit.granting = true;
    const { clients, holder } = this.options;
    const sentAt = now;
    const leaseId = randomUUID();
    const granting = clients
      .request(
        clients.subjects.billingLeaseCredit,
        { leaseId, accountId, holder, amountMicros: this.targetMicros(credit, now), minimumMicros },
        leaseCreditReplySchema,
        "billing",
      )
      .then(
        (reply) => {
          if (reply.leaseId === null) {
            credit.refusedUntil = this.now() + this.refusalBackoffMs;
            return;
          }
          // Times count from before the request was sent, so this replica's view never outlasts billing's.
          const usableWindowMs = reply.expiresInMs - this.options.generationMaximumDurationMs - expirySafetyMs;
          const lease = new AccountLease(reply.leaseId, accountId, reply.grantedMicros, sentAt + usableWindowMs, sentAt + usableWindowMs / 2, this.now());
          // Stopping, or recalled while the grant was on its way: the recall was meant for this lease too.
          if (this.stopped || credit.recalledAt >= sentAt) {
            this.giveBack(lease);
            return;
          }
          if (usableWindowMs <= 0) {
            this.options.logger.warn(
              { lease_ttl_ms: reply.expiresInMs, generation_max_duration_ms: this.options.generationMaximumDurationMs },
              "credit leases are shorter than a generation may run; every request reserves synchronously. Raise billing's CREDIT_LEASE_TTL_SECONDS above GENERATION_MAX_DURATION_MS",
            );
            credit.refusedUntil = Number.POSITIVE_INFINITY;
            this.giveBack(lease);
            return;
          }
          const previous = credit.current;
          credit.current = lease;
          if (!this.accounts.has(accountId)) this.accounts.set(accountId, credit);
          if (previous) this.giveBack(previous);
          // At most one grant per account every few seconds: cheap at debug, and what a test waits for.
          this.options.logger.debug({ account_id: accountId, lease_id: lease.id, granted_micros: reply.grantedMicros }, "credit lease granted");
        },
        (error: unknown) => {
          credit.refusedUntil = this.now() + this.refusalBackoffMs;
          this.options.logger.debug({ err: error, account_id: accountId }, "credit lease request failed; requests reserve synchronously meanwhile");
          // Billing may have granted it and only the answer was lost: return it, unused, or it would
          // hold its credit until it expires (and keep recalls waiting for a holder that never answers).
          this.giveBack(new AccountLease(leaseId, accountId, 0, 0, 0, this.now()));
        },
      )
      .finally(() => {
        credit.granting = false;
        this.pending.delete(granting);
      });
    this.pending.add(granting);
  }

  /** Closes a lease and tells billing what to keep; if billing cannot be told, the lease's expiry frees it. */
  private giveBack(lease: AccountLease): void {
    const expectedConsumptionMicros = lease.close(this.now());
    const { clients } = this.options;
    const returning: Promise<void> = clients
      .request(
        clients.subjects.billingReturnLease,
        { leaseId: lease.id, accountId: lease.accountId, expectedConsumptionMicros },
        returnLeaseReplySchema,
        "billing",
      )
      .then(
        () => undefined,
        (error: unknown) => {
          this.options.logger.warn({ err: error, lease_id: lease.id }, "could not return a credit lease; billing frees it at its expiry");
        },
      )
      .finally(() => this.pending.delete(returning));
    this.pending.add(returning);
  }

  /** Returns leases no generation used for `idleMs`, and forgets accounts with nothing left to track. */
  private returnIdle(): void {
    const now = this.now();
    for (const [accountId, credit] of this.accounts) {
      const lease = credit.current;
      if (lease && !lease.busy && now - lease.idleSince() >= this.options.idleMs) {
        credit.current = null;
        this.giveBack(lease);
      }
      if (!credit.current && !credit.granting && now - credit.spend.lastHeldAt >= this.options.idleMs) this.accounts.delete(accountId);
    }
  }
}

function safeJson(data: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(data));
  } catch {
    return undefined;
  }
}
