/**
 * The bell and the notifications page (`notify`), and the words for every outcome code the worker and the
 * payments write (`outcome`, shared with the receipts): worker/src/enrollments/enrollment-rules.ts and
 * enrollment-committer.ts, worker/src/reservations/reservation-committer.ts, worker/src/commit/outcome-writer.ts,
 * core/notifications/reservation-notification.ts.
 */
export default {
  en: {
    notify: {
      title: 'Notifications',
      bell: 'Notifications, none unread | Notifications, 1 unread | Notifications, {n} unread',
      unreadCount: 'No unread notifications. | 1 unread notification. | {n} unread notifications.',
      empty: 'Nothing has happened yet. Outcomes of your requests and changes to your bookings appear here.',
      new: 'New',
      arrived: 'New notification: {text}',
      markAll: 'Mark all as read',
      markRead: 'Mark as read',
      seeAll: 'See all notifications',
      more: 'Show older notifications',
    },
    outcome: {
      status: {
        queued: 'Waiting to be processed',
        committed: 'Done',
        rejected: 'Refused',
        failed: 'Failed',
      },
      kind: {
        enrollment: 'Course registration',
        reservation: 'Seat request',
      },
      yourSeats: 'your seats',
      itemEnrolled: 'Enrolled',
      code: {
        ENROLLED:
          'Course registration complete: you are enrolled in the section you asked for. | Course registration complete: you are enrolled in all {asked} sections you asked for.',
        PARTIALLY_ENROLLED:
          'Course registration partly done: you are enrolled in {granted} of the {asked} sections you asked for.',
        SEATS_HELD: 'Seats {seats} are held for you until {holdExpiresAt}. Pay before then to keep them.',
        COMMIT_FAILED: 'Your request could not be processed. Nothing was changed; please try again.',
      },
      refused: {
        enrollment:
          'Course registration refused: {reason} | None of the {asked} sections you asked for were granted; the first was refused because {reason}',
        reservation: 'Seat request refused: {reason}',
      },
      reason: {
        SECTION_NOT_FOUND: 'this section does not exist.',
        SECTION_INACTIVE: 'this section is no longer offered.',
        SEAT_INACTIVE: 'a seat you chose is no longer on sale.',
        WINDOW_CLOSED: 'registration is not open for your year right now.',
        SECTION_FULL: 'the section is full.',
        ALREADY_ENROLLED: 'you are already enrolled in this section.',
        COURSE_ALREADY_TAKEN: 'you already take this course in another section.',
        TIMETABLE_CLASH: 'it clashes with a class in your timetable.',
        CREDIT_LIMIT_EXCEEDED: 'it would take you over your credit limit.',
        INVALID_REQUEST: 'the request could not be read.',
        SEATS_TAKEN: 'someone else got {takenSeats} first.',
        NOT_ENOUGH_SEATS: 'only {available} seats were left there.',
        PER_USER_LIMIT:
          'at most {perUserLimit} seats per person for this event, and you already hold {alreadyHeld}.',
        UNKNOWN_EVENT: 'this event does not exist.',
        UNKNOWN_SEAT: 'there is no seat {seatLabels}.',
      },
      reservation: {
        RESERVATION_PAID: 'Payment received for {seats}; your tickets are being issued.',
        RESERVATION_CONFIRMED: 'Booking confirmed: your tickets for {seats} are issued.',
        RESERVATION_CANCELLED: 'Your reservation was cancelled and {seats} released.',
        RESERVATION_REFUNDED: 'Your payment for {seats} was refunded.',
        RESERVATION_EXPIRED: 'Your hold on {seats} ran out before payment, so the seats were released.',
      },
    },
  },
  ko: {
    notify: {
      title: '알림',
      // The badge's number must stand alone in the name (WCAG 2.5.3): "3", not "3개".
      bell: '알림, 읽지 않은 알림 없음 | 알림, 읽지 않음 1 | 알림, 읽지 않음 {n}',
      unreadCount:
        '읽지 않은 알림이 없습니다. | 읽지 않은 알림이 1개 있습니다. | 읽지 않은 알림이 {n}개 있습니다.',
      empty: '아직 알림이 없습니다. 신청 결과와 예매 변경 사항이 여기에 표시됩니다.',
      new: '새 알림',
      arrived: '새 알림: {text}',
      markAll: '모두 읽음으로 표시',
      markRead: '읽음으로 표시',
      seeAll: '알림 전체 보기',
      more: '이전 알림 더 보기',
    },
    outcome: {
      status: {
        queued: '처리 대기 중',
        committed: '완료',
        rejected: '거절됨',
        failed: '처리 실패',
      },
      kind: {
        enrollment: '수강신청',
        reservation: '좌석 예매',
      },
      yourSeats: '선택한 좌석',
      itemEnrolled: '신청 완료',
      code: {
        ENROLLED: '수강신청이 완료되었습니다. | 신청한 {asked}개 강의 모두 수강신청이 완료되었습니다.',
        PARTIALLY_ENROLLED: '신청한 {asked}개 강의 중 {granted}개만 수강신청되었습니다.',
        SEATS_HELD: '{seats} 좌석이 {holdExpiresAt}까지 선점되었습니다. 그 전에 결제를 마쳐 주세요.',
        COMMIT_FAILED: '요청을 처리하지 못했습니다. 변경된 내용은 없으니 다시 시도해 주세요.',
      },
      refused: {
        enrollment:
          '수강신청 실패: {reason} | 신청한 {asked}개 강의 모두 신청되지 않았습니다. 첫 번째 강의 사유: {reason}',
        reservation: '좌석 예매 실패: {reason}',
      },
      reason: {
        SECTION_NOT_FOUND: '존재하지 않는 강의입니다.',
        SECTION_INACTIVE: '더 이상 개설되지 않는 분반입니다.',
        SEAT_INACTIVE: '고른 좌석 중 판매하지 않는 좌석이 있습니다.',
        WINDOW_CLOSED: '지금은 해당 학년의 수강신청 기간이 아닙니다.',
        SECTION_FULL: '정원이 마감되었습니다.',
        ALREADY_ENROLLED: '이미 수강신청한 강의입니다.',
        COURSE_ALREADY_TAKEN: '같은 과목의 다른 분반을 이미 수강하고 있습니다.',
        TIMETABLE_CLASH: '시간표의 다른 강의와 시간이 겹칩니다.',
        CREDIT_LIMIT_EXCEEDED: '신청 가능 학점을 넘습니다.',
        INVALID_REQUEST: '요청 내용을 처리할 수 없습니다.',
        SEATS_TAKEN: '{takenSeats} 좌석을 다른 분이 먼저 예매했습니다.',
        NOT_ENOUGH_SEATS: '남은 좌석이 {available}석뿐입니다.',
        PER_USER_LIMIT:
          '이 공연은 1인당 {perUserLimit}석까지 예매할 수 있으며, 이미 {alreadyHeld}석을 보유하고 있습니다.',
        UNKNOWN_EVENT: '존재하지 않는 공연입니다.',
        UNKNOWN_SEAT: '{seatLabels} 좌석은 존재하지 않습니다.',
      },
      reservation: {
        RESERVATION_PAID: '{seats} 좌석 결제가 완료되었습니다. 티켓을 발급하고 있습니다.',
        RESERVATION_CONFIRMED: '예매가 확정되었습니다. {seats} 좌석 티켓이 발급되었습니다.',
        RESERVATION_CANCELLED: '예매가 취소되어 {seats} 좌석이 반환되었습니다.',
        RESERVATION_REFUNDED: '{seats} 좌석 결제 금액이 환불되었습니다.',
        RESERVATION_EXPIRED: '결제 시간이 지나 {seats} 좌석 선점이 해제되었습니다.',
      },
    },
  },
};
