// The three ways sizing a pattern can stop short of a number. Kept apart from the stages so each
// stage can throw them and program-size.ts can tell them apart.

/** The pattern is not valid RE2: C++ RE2's error text, and the part of the pattern it is about. */
export class Re2SyntaxError extends Error {
  constructor(
    readonly code: string,
    readonly arg: string,
  ) {
    super(arg === '' ? code : `${code}: \`${arg}\``);
  }
}

/**
 * The pattern uses something whose C++ program size Portico does not compute exactly (Unicode
 * tables, or a construct on which RE2 releases disagree). Refusing it fails closed.
 */
export class Re2Unsupported extends Error {}

/** The program grew past what Portico is willing to build; it is far over any useful limit. */
export class Re2TooLarge extends Error {}
