/** The text of a DxpRep with `n` Response elements (bench/generate-dxprep.mjs). */
export function dxpRepText(n: number): string;
