import type { CartView } from '../../../core/views/catalog-views';
import type { RequestView } from '../../../core/views/request-view';
import type { Admission } from '../admission/admission';
import { admissionHeaders } from '../admission/admission';
import { api } from '../api/http';

/** The student's cart (장바구니): no admission needed, any time; every answer is the whole cart. */
export const getCart = (termId: number) => api<CartView>(`/api/me/cart?term=${termId}`);

export const addToCart = (sectionId: number) =>
  api<CartView>('/api/me/cart', { method: 'POST', body: { sectionId } });

export const removeFromCart = (sectionId: number) =>
  api<CartView>(`/api/me/cart/${sectionId}`, { method: 'DELETE' });

/** What POST /api/enrollments answers (202): the request, whose outcome follows by push. */
export interface SubmitAnswer {
  requestId: number;
  created: boolean;
  status: RequestView['status'];
  request: RequestView;
}

/** The most sections one enrollment request may carry (core/requests/request-types.ts). */
export const MAX_SECTIONS_PER_REQUEST = 10;

export const submitEnrollment = (sectionIds: number[], idempotencyKey: string, admission: Admission) =>
  api<SubmitAnswer>('/api/enrollments', {
    method: 'POST',
    body: { sectionIds },
    headers: { 'idempotency-key': idempotencyKey, ...admissionHeaders(admission) },
  });

export const getRequest = (id: number) => api<RequestView>(`/api/requests/${id}`);
