/** The trading connector (DESIGN.md §7b): delivers requests, cancellations and registration results to the housing-trading department. */
import { departmentConnector } from './department-connector';

export const handler = departmentConnector('TRADING');
