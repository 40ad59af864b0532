/** A count as a rounded percentage of its base (0 when the base is 0): the same in /stats, the charts and the export. */
export const percentOf = (count: number, base: number) => (base > 0 ? Math.round((count / base) * 100) : 0);
