/**
 * A compare-and-set found that the state had moved on (another update or another person came
 * first): nothing was written. The error boundary tells the person so, in their language, and
 * the update's transaction is rolled back, so nothing of it remains.
 */
export class MovedOnError extends Error {}
