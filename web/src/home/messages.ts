export default {
  en: {
    home: {
      title: 'Registration and sales',
      lead: 'Find your course or seat, wait your turn fairly, and see exactly what happened.',
      registration: 'Course registration',
      sales: 'Ticket sales',
      none: 'Nothing scheduled right now.',
      browse: 'Browse courses',
      seatMap: 'Seat map',
      waitingRoom: 'Enter the waiting room',
      saleOpens: 'sale opens {time}',
      saleOpened: 'on sale since {time}',
      status: {
        upcoming: 'Upcoming',
        prequeue: 'Waiting room open',
        open: 'Open now',
        paused: 'Paused',
        closed: 'Closed',
      },
    },
    admission: {
      title: 'Your turn',
      finding: 'Taking you to your registration or sale…',
      missing: 'This tab holds no admission for that room. Enter its waiting room first.',
    },
  },
  ko: {
    home: {
      title: '수강신청과 예매',
      lead: '강의와 좌석을 찾고, 공정하게 차례를 기다리고, 무슨 일이 있었는지 그대로 확인하세요.',
      registration: '수강신청',
      sales: '티켓 예매',
      none: '예정된 일정이 없습니다.',
      browse: '강의 찾기',
      seatMap: '좌석 배치도',
      waitingRoom: '대기실 입장',
      saleOpens: '예매 시작 {time}',
      saleOpened: '{time}부터 예매 중',
      status: {
        upcoming: '예정',
        prequeue: '대기실 열림',
        open: '진행 중',
        paused: '일시 중지',
        closed: '마감',
      },
    },
    admission: {
      title: '입장 차례',
      finding: '수강신청 또는 예매 화면으로 이동하는 중…',
      missing: '이 탭에는 해당 대기실의 입장권이 없습니다. 먼저 대기실에 들어가세요.',
    },
  },
};
