/** The problem with an option that must be a whole number in [min, max], or undefined when it is one. */
export function wholeNumberProblem(
  name: string,
  value: number,
  min: number,
  max: number,
): string | undefined {
  return Number.isInteger(value) && value >= min && value <= max
    ? undefined
    : `${name}: a whole number from ${min} to ${max}, received ${value}`;
}
