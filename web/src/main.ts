import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { useI18n } from './i18n/i18n';
import { router } from './router';
import './ui/styles.css';

// A page chunk that vanished with a new deployment: load the new build instead of showing an error.
window.addEventListener('vite:preloadError', () => window.location.reload());

document.documentElement.lang = useI18n().locale.value;
createApp(App).use(createPinia()).use(router).mount('#app');
