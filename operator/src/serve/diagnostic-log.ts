// Every reconcile repeats the diagnostics of every unchanged object; the log says each one once
// while it lasts (and again if it comes back after being fixed).
import type { Logger } from '../../../observability/src/index.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';

export class DiagnosticLog {
  private logged = new Set<string>();

  constructor(private readonly logger: Logger) {}

  log(diagnostics: readonly Diagnostic[]): void {
    const current = new Set<string>();
    for (const diagnostic of diagnostics) {
      const key = `${diagnostic.severity}\0${diagnostic.object}\0${diagnostic.message}`;
      current.add(key);
      if (this.logged.has(key)) continue;
      const fields = { object: diagnostic.object, message: diagnostic.message };
      if (diagnostic.severity === 'error') this.logger.error('config.diagnostic', fields);
      else if (diagnostic.severity === 'warning') this.logger.warn('config.diagnostic', fields);
      else this.logger.info('config.diagnostic', fields);
    }
    this.logged = current;
  }
}
