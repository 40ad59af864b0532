/** The Visak Bochea day (MM-DD) of a common-era year, from the Khmer lunar calendar library. */
export declare function visakBochea(year: number): string;
