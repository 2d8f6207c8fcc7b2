import type { HeaderContribution } from '../ui/header-slots';
import NotificationBell from './NotificationBell.vue';

export default { widgets: [NotificationBell] } satisfies HeaderContribution;
