import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// The Tauri shell embeds `dist/` (tauri.conf.json `frontendDist`); nothing is fetched at run time.
export default defineConfig({
  plugins: [svelte()],
  // Keep Rust's compiler output visible when both run in one terminal.
  clearScreen: false,
  server: {
    port: 5173,
    strictPort: true,
    // The icons live at the repository root, one level above this package.
    fs: { allow: ['..'] },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
  },
});
