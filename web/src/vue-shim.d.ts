// For ESLint's type-aware rules, which read .ts files without Vue's compiler; vue-tsc sees the real types.
declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent;
  export default component;
}
