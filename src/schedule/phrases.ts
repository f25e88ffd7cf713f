/**
 * A small, strict reader for schedules in words, in the spirit of Solid Queue's recurring.yml ("every day at 9am").
 * Each phrase becomes a classic 5-field cron. Anything it does not recognise fully is an error that shows the
 * phrases it knows: a schedule that is read half-right fires at the wrong time, silently.
 */
export const PHRASE_EXAMPLES = [
  'every minute',
  'every 15 minutes',
  'every hour',
  'every hour at :30',
  'every 6 hours',
  'every day at 2am',
  'every day at 14:30',
  'every monday at 9:30',
  'every weekday at 8am',
  'every weekend at 10am',
  'every month on the 1st at 3am',
] as const;

const DAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const DIVIDES_HOUR = [1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30];
const DIVIDES_DAY = [1, 2, 3, 4, 6, 8, 12];

/** True when the text reads as an attempt at a phrase (so a failure is reported as a phrase problem). */
export function looksLikePhrase(text: string): boolean {
  return /^(every|daily|hourly)\b/i.test(text.trim());
}

/** The 5-field cron a phrase means, or throws with what is wrong and what would work. */
export function phraseToCron(text: string): string {
  const phrase = text.trim().toLowerCase().replace(/\s+/g, ' ');
  const cron = readPhrase(phrase);
  if (cron === undefined) {
    throw new Error(`"${text}" is not a schedule phrase wharf knows. Phrases: ${PHRASE_EXAMPLES.join('; ')}`);
  }
  return cron;
}

function readPhrase(phrase: string): string | undefined {
  if (phrase === 'every minute') return '* * * * *';
  if (phrase === 'every hour' || phrase === 'hourly') return '0 * * * *';
  let m = /^every (\d+) minutes?$/.exec(phrase);
  if (m) return `${stepOf(Number(m[1]), DIVIDES_HOUR, 'minutes', 'an hour', 'minutes')} * * * *`;
  m = /^every (\d+) hours?$/.exec(phrase);
  if (m) return `0 ${stepOf(Number(m[1]), DIVIDES_DAY, 'hours', 'a day', 'hours')} * * *`;
  m = /^every hour at :(\d{2})$/.exec(phrase);
  if (m) return `${minuteOf(m[1]!)} * * * *`;
  m = /^(?:every day|daily) at (.+)$/.exec(phrase);
  if (m) return `${timeOf(m[1]!)} * * *`;
  m = /^every (\w+) at (.+)$/.exec(phrase);
  if (m) return `${timeOf(m[2]!)} * * ${daysOf(m[1]!)}`;
  m = /^every month on the (\d{1,2})(st|nd|rd|th) at (.+)$/.exec(phrase);
  if (m) return `${timeOf(m[3]!)} ${dayOfMonthOf(Number(m[1]), m[2]!)} * *`;
  if (/^(every day|daily|every \w+)$/.test(phrase))
    throw new Error(`"${phrase}" needs a time: say "${phrase} at 2am" (or "at 14:30")`);
  return undefined;
}

function stepOf(
  n: number,
  divisors: readonly number[],
  unit: string,
  span: string,
  rateUnit: string,
): string {
  if (!divisors.includes(n)) {
    throw new Error(
      `"every ${n} ${unit}" does not divide ${span} evenly, so it cannot be aligned to the clock; use one of ` +
        `${divisors.join(', ')}, or rate(${n} ${rateUnit}) for a fixed interval from when the schedule starts`,
    );
  }
  return n === 1 ? '*' : `*/${n}`;
}

/** "2am", "2 am", "2:30pm", "14:30", "02:00", "noon", "midnight" -> "minute hour". */
function timeOf(text: string): string {
  if (text === 'noon') return '0 12';
  if (text === 'midnight') return '0 0';
  const m = /^(\d{1,2})(?::(\d{2}))? ?(am|pm)?$/.exec(text);
  if (!m) throw new Error(`"${text}" is not a time: write 2am, 2:30pm, 14:30, noon or midnight`);
  const hour = Number(m[1]);
  const minute = m[2] === undefined ? 0 : Number(minuteOf(m[2]));
  if (m[3]) {
    if (hour < 1 || hour > 12) throw new Error(`"${text}": with am/pm the hour is 1 to 12`);
    return `${minute} ${(hour % 12) + (m[3] === 'pm' ? 12 : 0)}`;
  }
  if (m[2] === undefined) throw new Error(`"${text}" is ambiguous: write ${hour}am, ${hour}pm or ${hour}:00`);
  if (hour > 23) throw new Error(`"${text}": the hour is 0 to 23`);
  return `${minute} ${hour}`;
}

function minuteOf(text: string): string {
  const minute = Number(text);
  if (minute > 59) throw new Error(`":${text}": the minute is 0 to 59`);
  return String(minute);
}

function daysOf(word: string): string {
  if (word === 'weekday') return '1-5';
  if (word === 'weekend') return '0,6';
  const day = DAYS.indexOf(word.replace(/s$/, ''));
  if (day < 0) throw new Error(`"${word}" is not a day: write monday ... sunday, weekday or weekend`);
  return String(day);
}

function dayOfMonthOf(day: number, suffix: string): number {
  if (day < 1 || day > 28) {
    throw new Error(
      `"the ${day}${suffix}": phrases take days 1 to 28, which every month has; use cron(...) with L for the last day`,
    );
  }
  if (suffix !== ordinalSuffix(day)) throw new Error(`"${day}${suffix}": write ${day}${ordinalSuffix(day)}`);
  return day;
}

function ordinalSuffix(day: number): string {
  if (day >= 11 && day <= 13) return 'th';
  return ['th', 'st', 'nd', 'rd'][day % 10] ?? 'th';
}
