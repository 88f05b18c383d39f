/** The tax connector (DESIGN.md §7b): delivers requests, cancellations and registration results to the tax department. */
import { departmentConnector } from './department-connector';

export const handler = departmentConnector('TAX');
