export interface CsvRow {
  readonly line: number;
  readonly email: string;
  readonly name: string;
}

export interface CsvProblem {
  readonly line: number;
  readonly problem: string;
}

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** Parses `email,name` rows (header first). Bad rows are reported, never fatal. */
export function parseUsersCsv(text: string): { rows: CsvRow[]; problems: CsvProblem[] } {
  const rows: CsvRow[] = [];
  const problems: CsvProblem[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = index + 1;
    if (index === 0 || raw.trim() === '') return;
    const [email = '', name = '', ...extra] = raw.split(',').map((cell) => cell.trim());
    if (extra.length > 0) problems.push({ line, problem: `expected 2 columns, found ${extra.length + 2}` });
    else if (!EMAIL.test(email))
      problems.push({ line, problem: `not an email address: ${JSON.stringify(email)}` });
    else if (name === '') problems.push({ line, problem: 'name is empty' });
    else rows.push({ line, email, name });
  });
  return { rows, problems };
}
