/** Stops a scenario's wait loops on its time limit, Ctrl-C or a dead process, so teardown always runs. */
import type { AppProcess } from '../lib/app-process.js';

/** The scenario's time limit and Ctrl-C: every wait loop asks, so teardown runs on either. */
export class RunGuard {
  private reason: string | undefined;
  /** `hint` follows the time-limit message (e.g. the option that sets it). */
  constructor(
    private readonly scenario: string,
    private readonly deadline: number,
    private readonly limitS: number,
    private readonly hint = '',
  ) {}
  abort(reason: string): void {
    this.reason ??= reason;
  }
  check(phase: string): void {
    if (this.reason) throw new Error(`${this.scenario}: ${this.reason} while ${phase}`);
    if (Date.now() > this.deadline) {
      throw new Error(
        `${this.scenario}: aborted, still ${phase} after the ${this.limitS} s time limit${this.hint}`,
      );
    }
  }
}

/** Throws, with its last log lines, if any of the processes has exited. */
export function assertAlive(scenario: string, processes: AppProcess[]): void {
  for (const c of processes) {
    if (c.proc.exitCode !== null || c.proc.signalCode !== null) {
      throw new Error(
        `${scenario}: ${c.name} exited (${c.proc.exitCode ?? c.proc.signalCode}):\n${c.logs.slice(-20).join('\n')}`,
      );
    }
  }
}
