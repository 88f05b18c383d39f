/**
 * PRESALE_MORTGAGE_NOTICE (预购商品房抵押预告登记): a bank files advance notice of a mortgage on a
 * presold home (002 三(一)6). The buyers are the presale buyers who mortgage it; the terms are those of
 * MORTGAGE_CREATE, and so is the output: the amount as integer fen (`amountFen`).
 */
import { z } from 'zod';
import { mortgageTermsShape, withTermOrder } from './mortgage-create';
import { filingHeader, materialsSchemaFor, personListSchema } from './parties';

export const presaleMortgageNoticeFilingSchema = withTermOrder(
  z.strictObject({
    ...filingHeader('PRESALE_MORTGAGE_NOTICE'),
    buyers: personListSchema('buyers'),
    ...mortgageTermsShape,
    materials: materialsSchemaFor('PRESALE_MORTGAGE_NOTICE'),
  }),
).transform(({ amount, ...rest }) => ({ ...rest, amountFen: amount }));

export type PresaleMortgageNoticeFilingInput = z.input<typeof presaleMortgageNoticeFilingSchema>;
export type PresaleMortgageNoticeFiling = z.output<typeof presaleMortgageNoticeFilingSchema>;
