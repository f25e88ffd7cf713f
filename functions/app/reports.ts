export interface Report {
  readonly id: string;
  readonly ownerId: string;
  readonly kind: 'signups';
  readonly rows: number;
  readonly generatedAtMs: number;
}

/** Reports keyed by id: generating the same report id twice overwrites, never duplicates. */
export interface ReportStore {
  save(report: Report): void;
  get(id: string): Report | undefined;
}

export function createReportStore(): ReportStore {
  const reports = new Map<string, Report>();
  return { save: (report) => void reports.set(report.id, report), get: (id) => reports.get(id) };
}
