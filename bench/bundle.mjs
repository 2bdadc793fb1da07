// The product's own bundler (scripts/bundle.mjs), re-exported so the bench measures the shipped bin.
export { bundle } from '../scripts/bundle.mjs';
