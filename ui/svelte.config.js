// Svelte 5 reads `<script lang="ts">` natively; no preprocessor is needed.
export default {
  compilerOptions: { runes: true },
};
