import { Router } from 'express';
import type { Knex } from 'knex';
import { currentUser } from '../../../core/auth/require-auth.js';
import { NotFoundError } from '../../../core/errors.js';
import { parseInput } from '../../../core/http/validate.js';
import type { CartView } from '../../../core/views/catalog-views.js';
import { cartBody, cartItemParams, cartQuery, timetableQuery } from './cart-params.js';
import { addCartItem, removeCartItem } from './cart-store.js';
import { toCartView } from './cart-view.js';
import { loadTermPlan, type TermPlan } from './term-plan-read-model.js';
import { toTimetableView } from './timetable-view.js';

async function planOrNotFound(db: Knex, userId: number, termId: number): Promise<TermPlan> {
  const plan = await loadTermPlan(db, userId, termId);
  if (!plan) throw new NotFoundError('TERM_NOT_FOUND', `No term ${termId}`);
  return plan;
}

const cartView = async (db: Knex, userId: number, termId: number): Promise<CartView> =>
  toCartView(await planOrNotFound(db, userId, termId));

/**
 * /api/me/cart, behind requireAuth: always the caller's own cart. Adding needs no admission token and
 * works at any time; every answer is the whole cart of the section's term, flags included.
 */
export function cartRoutes(db: Knex): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    const { term } = parseInput(cartQuery, req.query, 'query');
    res.json(await cartView(db, currentUser(req).id, term));
  });
  router.post('/', async (req, res) => {
    const { sectionId } = parseInput(cartBody, req.body ?? {});
    const userId = currentUser(req).id;
    const { termId, added } = await addCartItem(db, userId, sectionId);
    res.status(added ? 201 : 200).json(await cartView(db, userId, termId));
  });
  router.delete('/:sectionId', async (req, res) => {
    const { sectionId } = parseInput(cartItemParams, req.params, 'path');
    const userId = currentUser(req).id;
    const removed = await removeCartItem(db, userId, sectionId);
    if (!removed) throw new NotFoundError('CART_ITEM_NOT_FOUND', `Section ${sectionId} is not in your cart`);
    res.json(await cartView(db, userId, removed.termId));
  });
  return router;
}

/** /api/me/timetable, behind requireAuth. */
export function timetableRoutes(db: Knex): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    const q = parseInput(timetableQuery, req.query, 'query');
    res.json(toTimetableView(await planOrNotFound(db, currentUser(req).id, q.term), q.cart));
  });
  return router;
}
